"""`make loadtest`: simulated users working through Crossroads against gunicorn.

scripts/loadtest.sh starts everything; `setup_data` creates the accounts and their teams,
`locustfile` is what each simulated user does, `report` turns the timings into the table.
"""
