from queue_server.cli import main

main()
