print("fusion-bench: not implemented yet")
