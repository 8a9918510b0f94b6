"""Scheduling: survey rounds, visits, teams and notices."""
