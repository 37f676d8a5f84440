"""Language understanding of the offline agent: instruction, topic watch, intent, fact check."""
