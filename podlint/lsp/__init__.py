"""``podlint lsp``: the language server (needs the ``lsp`` extra: pygls, lsprotocol).

Only the ``lsp`` subcommand imports this package, so the other front doors never load pygls.
"""
