"""The bridge's Bluetooth LE side: sensor kinds, discovery, one connection per device, and a
bleak backend on bumble's virtual radio for tests and `wattlog bridge --simulate`."""
