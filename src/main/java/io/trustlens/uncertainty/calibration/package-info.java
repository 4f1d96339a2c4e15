/**
 * Calibration of a classifier's probabilities: reliability diagrams (equal width and equal mass),
 * ECE, MCE, Brier score and log loss measured with exact sums, and calibrators as Spark ML
 * Estimator/Model pairs (temperature scaling, Platt scaling, isotonic regression).
 */
package io.trustlens.uncertainty.calibration;
