"""Start Odoo for the load scenario, with one workaround for the shared virtualenv.

In prefork mode the master also starts ``<sys.argv[0]> gevent`` (the websocket process).
There, gevent loads its own monkey-patch plugin through pkg_resources, which looks up the
``zope.interface`` distribution by name; the virtualenv's setuptools 65 does not find it under
its ``zope_interface-*.dist-info`` folder, so the process dies at import and the master starts
it again every second, taking about one core from the workers being measured. The plugin
needs nothing from that metadata: the requirement check is skipped, only in these processes.
This file must stay ``sys.argv[0]`` so that the gevent process starts through it too
(``runpy.run_path`` would replace it with odoo-bin): odoo-bin's two lines are run here.
"""

import pkg_resources

pkg_resources.EntryPoint.require = lambda self, env=None, installer=None: None

if __name__ == "__main__":
    import odoo.cli

    odoo.cli.main()
