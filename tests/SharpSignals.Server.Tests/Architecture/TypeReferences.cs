using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace SharpSignals.Server.Tests.Architecture;

/// <summary>One type of an assembly naming another type of the same assembly.</summary>
/// <param name="From">The full name of the type that refers, its outermost declaring type for a nested one.</param>
/// <param name="FromNamespace">Its namespace.</param>
/// <param name="To">The full name of the type referred to (outermost declaring type).</param>
/// <param name="ToNamespace">Its namespace.</param>
internal sealed record TypeReference(string From, string FromNamespace, string To, string ToNamespace);

/// <summary>
/// Reads which types of an assembly refer to which others of the same assembly, from its metadata
/// and IL (ECMA-335): base types, interfaces, constraints, field and method signatures, locals, and
/// every type, method and field token in the method bodies, generic instantiations included. A
/// nested type counts as its outermost declaring type, so what a lambda, an async state machine or
/// an iterator uses belongs to the type whose method it was written in. Not seen: constants (the
/// compiler copies their value), <c>nameof</c>, and attribute arguments.
/// </summary>
internal static class TypeReferences
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value, code => code.OperandType);

    public static IReadOnlyList<TypeReference> Read(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var signatures = new SignatureTypes();
        var found = new HashSet<TypeReference>();
        foreach (var handle in reader.TypeDefinitions)
        {
            var (from, fromNamespace) = Outermost(reader, handle);
            var targets = new HashSet<TypeDefinitionHandle>();
            var type = reader.GetTypeDefinition(handle);
            Add(targets, reader, signatures, type.BaseType);
            foreach (var implementation in type.GetInterfaceImplementations())
            {
                Add(targets, reader, signatures, reader.GetInterfaceImplementation(implementation).Interface);
            }

            AddConstraints(targets, reader, signatures, type.GetGenericParameters());
            foreach (var fieldHandle in type.GetFields())
            {
                targets.UnionWith(reader.GetFieldDefinition(fieldHandle).DecodeSignature(signatures, null));
            }

            foreach (var methodHandle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                var signature = method.DecodeSignature(signatures, null);
                targets.UnionWith(signature.ReturnType);
                targets.UnionWith(signature.ParameterTypes.SelectMany(parameter => parameter));
                AddConstraints(targets, reader, signatures, method.GetGenericParameters());
                if (method.RelativeVirtualAddress != 0)
                {
                    AddBody(targets, reader, signatures, pe.GetMethodBody(method.RelativeVirtualAddress));
                }
            }

            foreach (var target in targets)
            {
                var (to, toNamespace) = Outermost(reader, target);
                if (to != from)
                {
                    found.Add(new TypeReference(from, fromNamespace, to, toNamespace));
                }
            }
        }

        return [.. found];
    }

    private static void AddBody(HashSet<TypeDefinitionHandle> targets, MetadataReader reader, SignatureTypes signatures, MethodBodyBlock body)
    {
        if (!body.LocalSignature.IsNil)
        {
            var locals = reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(signatures, null);
            targets.UnionWith(locals.SelectMany(local => local));
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il.ReadByte()));
            }

            switch (Operands[value])
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    Add(targets, reader, signatures, MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                case OperandType.InlineSwitch:
                    var targetCount = il.ReadInt32();
                    il.Offset += 4 * targetCount;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    il.Offset += 4;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
            }
        }
    }

    private static void AddConstraints(HashSet<TypeDefinitionHandle> targets, MetadataReader reader, SignatureTypes signatures, GenericParameterHandleCollection parameters)
    {
        foreach (var parameter in parameters)
        {
            foreach (var constraint in reader.GetGenericParameter(parameter).GetConstraints())
            {
                Add(targets, reader, signatures, reader.GetGenericParameterConstraint(constraint).Type);
            }
        }
    }

    /// <summary>The types of this assembly a token names: the type itself, a member's declaring type, and any generic arguments.</summary>
    private static void Add(HashSet<TypeDefinitionHandle> targets, MetadataReader reader, SignatureTypes signatures, EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                targets.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                targets.UnionWith(reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(signatures, null));
                break;
            case HandleKind.MethodDefinition:
                targets.Add(reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.FieldDefinition:
                targets.Add(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                Add(targets, reader, signatures, reader.GetMemberReference((MemberReferenceHandle)handle).Parent);
                break;
            case HandleKind.MethodSpecification:
                var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                Add(targets, reader, signatures, specification.Method);
                targets.UnionWith(specification.DecodeSignature(signatures, null).SelectMany(argument => argument));
                break;
        }
    }

    private static (string Name, string Namespace) Outermost(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } declaring)
        {
            type = reader.GetTypeDefinition(declaring);
        }

        var ns = reader.GetString(type.Namespace);
        var name = reader.GetString(type.Name);
        return (ns.Length == 0 ? name : $"{ns}.{name}", ns);
    }

    /// <summary>Decodes a signature into the types of this assembly it names; types of other assemblies name none.</summary>
    private sealed class SignatureTypes : ISignatureTypeProvider<ImmutableArray<TypeDefinitionHandle>, object?>
    {
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableArray<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

        public ImmutableArray<TypeDefinitionHandle> GetGenericInstantiation(ImmutableArray<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableArray<TypeDefinitionHandle>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(argument => argument)];

        public ImmutableArray<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => [];

        public ImmutableArray<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => [];

        public ImmutableArray<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(parameter => parameter)];

        public ImmutableArray<TypeDefinitionHandle> GetModifiedType(ImmutableArray<TypeDefinitionHandle> modifier, ImmutableArray<TypeDefinitionHandle> unmodifiedType, bool isRequired) => unmodifiedType;

        public ImmutableArray<TypeDefinitionHandle> GetArrayType(ImmutableArray<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetSZArrayType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetByReferenceType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPointerType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPinnedType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
    }
}
