def main() -> None:
    print("Hello from uv-tasks!")
