"""GeNNCode: the C-like language of model code strings (scanner, parser, type checker, printer)."""
