"""Planning beside the engine: the optimiser that suggests allocation plans and rebalances
caseloads (OR-Tools CP-SAT), working on the engine's tables and figures. Pure: no I/O."""
