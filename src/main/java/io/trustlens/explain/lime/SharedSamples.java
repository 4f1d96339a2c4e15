package io.trustlens.explain.lime;

/**
 * LIME samples drawn once and shared by every row (Ribeiro et al. 2016, arXiv 1602.04938): with
 * {@code sample_around_instance} off (lime's default) a tabular neighbourhood's samples after the
 * first are drawn from the reference statistics alone, so one draw serves all rows, and the model
 * scores it once. Each row keeps lime's law for its own neighbourhood: its first sample is itself,
 * and its interpretable values compare its own bins and categories with the shared draws. What rows
 * give up is independence from each other: their Monte Carlo errors are the same draws'.
 *
 * <p>Held sample-major from sample 0 (whose places are unused): the model inputs ({@code samples ×
 * d}), each player's drawn bin or category ({@code samples × players}), and for a continuous
 * neighbourhood the scaled values, player-major as {@link Neighbourhood} holds them.
 */
public record SharedSamples(double[] inputs, int[] codes, double[] values) {}
