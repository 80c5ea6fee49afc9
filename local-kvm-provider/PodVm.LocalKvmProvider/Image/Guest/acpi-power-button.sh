#!/bin/sh
# ACPI power button (QMP system_powerdown): orderly shutdown.
echo "podvm-init: power button pressed, shutting down"
exec poweroff
