"""Contracts and common kit of the CCHC (administrative-reform initiatives) platform."""
