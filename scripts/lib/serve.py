"""One threaded static server of DIR on a free loopback port, written to PORTFILE once
it listens: `python3 serve.py DIR PORTFILE`. A backlog of 256: the default 5 drops
connections under 16 jobs, and a dropped SYN costs its client a second."""
import functools
import http.server
import os
import sys


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


httpd = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
open(sys.argv[2] + ".tmp", "w").write(str(httpd.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
httpd.serve_forever()
