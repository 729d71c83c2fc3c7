"""The support feature's schema (owner ``support``): members' own notes and settings, each
space's resources, and the calls members make. Nothing here holds conversation text."""
