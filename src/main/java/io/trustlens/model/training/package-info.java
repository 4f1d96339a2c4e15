/**
 * Training small networks on the driver through DJL's PyTorch autograd: {@link
 * io.trustlens.model.training.Autograd} computes a loss and its gradients by parameters held in the
 * JVM, {@link io.trustlens.model.training.Adam} updates them. Every random draw (initial weights,
 * minibatch order, reparameterization noise) is made in the JVM from a seed, so a fit is the same
 * bit for bit on every run.
 */
package io.trustlens.model.training;
