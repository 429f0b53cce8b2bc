"""Every read of the officers' workspace: the one scope (``scope``) and the reveal rows
(``reveal``)."""
