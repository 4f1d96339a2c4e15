/**
 * What can score a batch of feature rows: MLlib models on the in-JVM fast path, TorchScript models
 * through DJL, ensembles; what each model outputs and can do; the per-executor model cache and
 * devices.
 */
package io.trustlens.model;
