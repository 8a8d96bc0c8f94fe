"""The database adapter counts the statements it sends: each activation's record carries the
difference (`cost.statements`), the round trips of the cost model in docs/BENCHMARKS.md."""

from shared.platform.cost import Meter


def test_each_statement_copy_and_executemany_parameter_set_is_counted(db):
    with db.system() as conn:
        meter = Meter.start()  # after the pool's check and the scope's set_config
        conn.execute("CREATE TEMP TABLE counted (n int)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO counted VALUES (%s)", [(1,), (2,), (3,)])
            with cur.copy("COPY counted FROM STDIN") as copy:
                copy.write_row((4,))
        assert conn.execute("SELECT count(*) AS n FROM counted").fetchone()["n"] == 4
        # CREATE + 3 inserts + COPY + SELECT
        assert meter.since()["statements"] == 6
