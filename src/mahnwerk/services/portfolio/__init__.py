"""Claims in: portfolio import and the statement calculator's input and output."""
