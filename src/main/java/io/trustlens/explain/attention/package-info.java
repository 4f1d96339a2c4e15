/**
 * Attention maps of Vision Transformers (Dosovitskiy et al. 2020, arXiv 2010.11929; Caron et al.
 * 2021, arXiv 2104.14294): {@link io.trustlens.explain.attention.AttentionMaps} turns a row's
 * attention weights into attention rollout and the last layer's class-token attention per head, on
 * the image's pixels.
 */
package io.trustlens.explain.attention;
