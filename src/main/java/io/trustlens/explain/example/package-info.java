/**
 * Explanations by example: a row is explained by the training rows the model sees as nearest
 * ({@link io.trustlens.explain.example.NearestExamples}, with Deep k-Nearest Neighbors'
 * credibility) and by attention over prototypes ({@link
 * io.trustlens.explain.example.PrototypeAttention}). The Spark-free cores are {@link
 * io.trustlens.explain.example.Credibility}, {@link io.trustlens.explain.example.ExampleIndex} and
 * {@link io.trustlens.explain.example.Prototypes}; the neighbour search is {@code explore.knn}'s.
 */
package io.trustlens.explain.example;
