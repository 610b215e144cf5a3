def hello() -> str:
    return "Hello from legacy!"
