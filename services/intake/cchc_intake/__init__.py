"""Intake: agencies and their initiatives."""
