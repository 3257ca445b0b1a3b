// The Apple container runtime's provider arrives with the containers issue.
