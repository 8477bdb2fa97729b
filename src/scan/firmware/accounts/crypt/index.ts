// Password hash verification for the firmware scanner: which scheme a stored hash uses, whether a
// password matches it, and every hash of an image against every candidate on worker threads.
export { identifyScheme, SCHEMES, type Identification, type Scheme, type Verifier } from './identify.ts';
export { DEFAULT_LIMITS, type CostLimits, type VerifyResult } from './types.ts';
export { verify, type VerifyOptions } from './verify.ts';
export { verifyAll, verifyAllSync, type HashOutcome, type HashVerdict, type VerifyAllOptions } from './verify-all.ts';
export { BINDING_NOT_BUILT, xcryptBinding, xcryptBindingProblem, type XcryptBinding } from './xcrypt-binding.ts';
