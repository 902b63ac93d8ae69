"""Exports of tracker data for people and tools: one format per module (csv, json, openmetrics, html).

``records`` turns metrics and secrets into flat, JSON-ready dicts that the formats share. No export
ever contains a secret value: the tracker does not have one.
"""
