"""Network failures over real loopback sockets: no server, and a server that hangs up."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.errors import TransientError, UncertainWriteError

from .conftest import FakeTime


def test_connection_refused_is_retried_then_transient(
    closed_port: int, fake_time: FakeTime
) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    with FirmtraceClient(url, retry=fake_time.policy(max_attempts=4)) as client:
        # Even a create is retried: a refused connection proves nothing was sent.
        with pytest.raises(TransientError) as info:
            client.create_account("Acme", "https://acme.test")
        assert client.request_count == 4
    error = info.value
    assert type(error) is TransientError
    assert "POST /v1.3/accounts failed (ConnectError" in str(error)
    assert "gave up after 4 attempts" in str(error)
    # where it looked, and the setting that says so
    assert f"Nothing answers at {url}: check the firmtrace:apiUrl stack setting" in str(error)
    assert "FIRMTRACE_API_URL" in str(error)
    assert fake_time.slept == [0.2, 0.4, 0.8]


class HangUpServer:
    """Accepts connections, reads the request, and closes without answering."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port: int = self.sock.getsockname()[1]
        self.received = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    self.received += 1

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def hang_up_server() -> Iterator[HangUpServer]:
    server = HangUpServer()
    yield server
    server.close()


def test_dropped_connection_on_a_create_is_uncertain_and_sent_once(
    hang_up_server: HangUpServer, fake_time: FakeTime
) -> None:
    url = f"http://127.0.0.1:{hang_up_server.port}"
    with FirmtraceClient(url, "ftt_" + "x" * 43, retry=fake_time.policy()) as client:
        with pytest.raises(UncertainWriteError) as info:
            client.create_api_key("1", name="ci")
        assert client.request_count == 1
    assert hang_up_server.received == 1
    assert fake_time.slept == []
    text = str(info.value)
    # A hang-up after the request reads as a clean EOF or, if the close races the client's
    # read, as a reset: either way the request went out and no answer came back.
    assert "RemoteProtocolError" in text or "ReadError: [Errno 104]" in text
    assert "may have been carried out" in text
    assert "look for one with this name" in text


def test_dropped_connection_on_a_read_is_retried(
    hang_up_server: HangUpServer, fake_time: FakeTime
) -> None:
    url = f"http://127.0.0.1:{hang_up_server.port}"
    with FirmtraceClient(url, "ftt_" + "x" * 43, retry=fake_time.policy(max_attempts=3)) as client:
        with pytest.raises(TransientError) as info:
            client.list_accounts()
        assert client.request_count == 3
    assert not isinstance(info.value, UncertainWriteError)
