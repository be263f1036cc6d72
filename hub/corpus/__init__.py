"""Real everyday wrist motion recordings (package data); see README.md here."""
