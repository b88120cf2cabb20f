"""Feeds: fetch over HTTP within limits, parse, poll on a schedule, keep each feed's health."""
