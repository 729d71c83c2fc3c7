"""The reflections tables, one numbered step at a time (versioned under the owner "reflections")."""
