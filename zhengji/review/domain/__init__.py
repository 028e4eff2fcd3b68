"""Every state change of judging, one function each (locked rows, permission, audit, notify on
commit), one module per area: setup, assignment, scoring, results, publicity, notice."""
