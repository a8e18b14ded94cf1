print("fusion: not implemented yet")
