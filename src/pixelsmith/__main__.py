from pixelsmith.cli import main

# Guarded: job worker processes are spawned, and spawn imports the parent's __main__ module.
if __name__ == "__main__":
    main()
