// The Podman provider lands here (issue 3).
