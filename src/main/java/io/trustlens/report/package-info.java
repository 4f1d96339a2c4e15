/**
 * The self-contained HTML report of a run: sections per task, tables, charts; every data string
 * escaped.
 */
package io.trustlens.report;
