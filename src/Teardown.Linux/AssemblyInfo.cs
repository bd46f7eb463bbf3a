using System.Runtime.CompilerServices;

// Every P/Invoke in this assembly is blittable (pointers, integers, SafeHandles), so the runtime's
// marshalling layer is switched off: what we pass is exactly what the kernel sees.
[assembly: DisableRuntimeMarshalling]
