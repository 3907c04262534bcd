print("EventLogBench: not written yet")
