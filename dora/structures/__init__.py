"""Structure management: create or join a structure, members and invitations, moderation.

Pages under /mon-espace/structures/… (members), /invitations/… and /moderation (territory
managers and staff). The models are in `dora.accounts.models`, the rules in
`dora.accounts.permissions`; `dora.structures.dashboard` lets other features add a section to
a structure's private dashboard.
"""
