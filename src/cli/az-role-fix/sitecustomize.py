# For Debian's azure-cli 2.45: it ships azure-mgmt-authorization 3.0.0, whose operation classes have `_config`
# where the CLI reads `config` (Azure/azure-cli#24959), so `az role ...` fails before sending anything. Newer
# upstream code reads `_config`; this alias emulates it. Put this folder on PYTHONPATH (`keyless cloud az-config
# --env` prints the line); it changes nothing for other Python programs or other az versions.
import importlib.abc
import sys


class _AliasOperationsConfig(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if not name.startswith("azure.mgmt.authorization") or "operations" not in name:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module):
            original(module)
            for value in list(vars(module).values()):
                if isinstance(value, type) and value.__name__.endswith("Operations") and not hasattr(value, "config"):
                    value.config = property(lambda self: self._config)

        loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _AliasOperationsConfig())
