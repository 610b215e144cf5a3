def main() -> None:
    print("Hello from uv-mono!")
