def hello() -> str:
    return "Hello from lib-b!"
