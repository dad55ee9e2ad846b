"""Briefings: the slide content shared by /present and the PPTX/PDF exports, and the file builders."""
