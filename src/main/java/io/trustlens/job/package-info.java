/**
 * The command line (one picocli command per job), audit specs, output directories, run summaries
 * and exit codes.
 */
package io.trustlens.job;
