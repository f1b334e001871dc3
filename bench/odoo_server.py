"""Start odoo-bin for the load scenario, with one workaround for the shared virtualenv.

In prefork mode the master also starts ``odoo-bin gevent`` (the websocket process). There,
gevent loads its own monkey-patch plugin through pkg_resources, which looks up the
``zope.interface`` distribution by name; the virtualenv's setuptools 65 does not find it under
its ``zope_interface-*.dist-info`` folder, so the process dies at import and the master
starts it again every second, taking CPU from the workers being measured. The plugin needs
nothing from zope.interface's metadata: the requirement check is skipped, only here.
The master starts that process with ``sys.argv[0]``, i.e. this file, so it gets the fix too.
"""

import os
import runpy

import pkg_resources

pkg_resources.EntryPoint.require = lambda self, env=None, installer=None: None

if __name__ == "__main__":
    runpy.run_path(os.path.join(os.environ["SMART_DUNNING_ODOO"], "odoo-bin"), run_name="__main__")
