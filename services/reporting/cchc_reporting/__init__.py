"""Reporting: read models and documents for the City People's Committee."""
