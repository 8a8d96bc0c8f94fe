"""FEP readers. Each yields one `ParsedRecord` per input record, in order, in constant memory."""
