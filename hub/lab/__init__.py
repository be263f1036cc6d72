"""The hub's laboratory: how well the signal processing does, measured on recordings.

``comfort-hub eval`` (tap recall on synthetic taps, false signals on real motion, heart-rate
agreement) and the recordings it reads. Nothing here runs in a live session.
"""
