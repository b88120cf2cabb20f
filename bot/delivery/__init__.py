"""Delivery: digests assembled from stored stories, and when each subscriber gets one."""
