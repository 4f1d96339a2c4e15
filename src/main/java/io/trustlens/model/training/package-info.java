/**
 * Training small networks on the driver in the JVM, in double precision: a loss and its exact
 * gradient written out per network ({@link io.trustlens.model.training.Reconstruction} here, the
 * Bayesian network's in its own package), {@link io.trustlens.model.training.Adam} to update the
 * parameters, {@link io.trustlens.model.training.Dense} for layers, standardisation and minibatch
 * order. No native code and every random draw (initial weights, minibatch order, reparameterization
 * noise) made from a seed, so a fit is the same bit for bit on every run and machine. (Through
 * libtorch's float autograd, the Bayesian network's fit turned NaN now and then on a loaded
 * machine.)
 */
package io.trustlens.model.training;
