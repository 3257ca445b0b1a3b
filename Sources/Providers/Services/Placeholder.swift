// Placeholder until this family's specs land.
